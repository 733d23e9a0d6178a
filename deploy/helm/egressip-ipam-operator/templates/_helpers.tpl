{{/* SPDX-License-Identifier: Apache-2.0 */}}
{{/* Names and labels shared by every template. */}}
{{- define "egressip-ipam-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "egressip-ipam-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "egressip-ipam-operator.labels" -}}
app.kubernetes.io/name: {{ include "egressip-ipam-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{- define "egressip-ipam-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "egressip-ipam-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "egressip-ipam-operator.serviceAccountName" -}}
{{ include "egressip-ipam-operator.fullname" . }}-controller-manager
{{- end }}
