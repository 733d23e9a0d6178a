/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Error classification for EC2, STS, ARM and AAD (see cclass.h).  Codes
 * come from the providers' error references and the SDKs' retry tables
 * (botocore _retry.json, azure-core's retry policy).
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "cclass.h"

static const char *const class_names[] = {
	"ok", "limit_exceeded", "address_in_use", "not_found",
	"auth_failure", "throttled", "transient", "invalid",
};

const char *
cloud_class_name(enum cloud_class c)
{
	if ((unsigned)c >= sizeof(class_names) / sizeof(class_names[0]))
		return "transient";
	return class_names[c];
}

int
cloud_class_retryable(enum cloud_class c)
{
	return c == CC_THROTTLED || c == CC_TRANSIENT;
}

static int
in_list(const char *code, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(code, *list) == 0)
			return 1;
	return 0;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* "is already in use", "in use by another network interface". */
static int
says_in_use(const char *message)
{
	return message != NULL && (strcasestr(message, "in use") != NULL ||
	    strcasestr(message, "already allocated") != NULL ||
	    strcasestr(message, "already assigned") != NULL);
}

static const char *const aws_throttle[] = {
	"RequestLimitExceeded", "Throttling", "ThrottlingException",
	"ThrottledException", "RequestThrottledException",
	"TooManyRequestsException", "RequestThrottled",
	"PriorRequestNotComplete", "SlowDown", "EC2ThrottledException",
	"BandwidthLimitExceeded", NULL
};
static const char *const aws_auth[] = {
	"AuthFailure", "UnauthorizedOperation", "Blocked", "OptInRequired",
	"InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken",
	"ExpiredTokenException", "InvalidIdentityToken", "AccessDenied",
	"AccessDeniedException", "MissingAuthenticationToken",
	"IncompleteSignature", "RequestExpired", "InvalidToken",
	"IDPRejectedClaim", "IDPCommunicationError", "UnrecognizedClientException",
	"PendingVerification", NULL
};
static const char *const aws_transient[] = {
	"InternalError", "InternalFailure", "ServiceUnavailable",
	"Unavailable", "RequestTimeout", "RequestTimeoutException",
	"IncorrectState", "IncorrectInstanceState", "DependencyViolation",
	NULL
};
static const char *const aws_limit[] = {
	"PrivateIpAddressLimitExceeded", "InsufficientFreeAddressesInSubnet",
	"AddressLimitExceeded", "NetworkInterfaceLimitExceeded", NULL
};
static const char *const aws_in_use[] = {
	"InvalidIPAddress.InUse", "PrivateIpAddressInUse",
	"InvalidParameterValue.InUse", NULL
};

enum cloud_class
cloud_classify_aws(long status, const char *code, const char *message)
{
	if (code == NULL || *code == '\0') {
		if (status == 0 || status >= 500)
			return status == 503 ? CC_THROTTLED : CC_TRANSIENT;
		if (status == 429)
			return CC_THROTTLED;
		if (status == 401 || status == 403)
			return CC_AUTH_FAILURE;
		if (status == 404)
			return CC_NOT_FOUND;
		return status >= 200 && status < 300 ? CC_OK : CC_INVALID;
	}
	if (in_list(code, aws_throttle))
		return CC_THROTTLED;
	if (in_list(code, aws_auth))
		return CC_AUTH_FAILURE;
	if (in_list(code, aws_limit))
		return CC_LIMIT_EXCEEDED;
	if (in_list(code, aws_in_use))
		return CC_ADDRESS_IN_USE;
	if (in_list(code, aws_transient))
		return CC_TRANSIENT;
	if (ends_with(code, ".NotFound") || strcmp(code, "NotFound") == 0)
		return CC_NOT_FOUND;
	/* EC2 reports an address held by another ENI this way. */
	if (strcmp(code, "InvalidParameterValue") == 0 && says_in_use(message))
		return CC_ADDRESS_IN_USE;
	if (ends_with(code, "LimitExceeded"))
		return CC_LIMIT_EXCEEDED;
	if (status >= 500)
		return CC_TRANSIENT;
	return CC_INVALID;
}

static const char *const arm_throttle[] = {
	"SubscriptionRequestsThrottled", "TooManyRequests",
	"ResourceRequestsThrottled", "TenantRequestsThrottled",
	"RetryableError", NULL
};
static const char *const arm_auth[] = {
	"AuthenticationFailed", "AuthorizationFailed",
	"InvalidAuthenticationToken", "InvalidAuthenticationTokenTenant",
	"ExpiredAuthenticationToken", "InvalidAuthenticationTokenAudience",
	"LinkedAuthorizationFailed", "SubscriptionNotRegistered",
	"MissingSubscriptionRegistration", "Unauthorized", "Forbidden", NULL
};
static const char *const arm_not_found[] = {
	"ResourceNotFound", "NotFound", "ResourceGroupNotFound",
	"SubscriptionNotFound", "ParentResourceNotFound", NULL
};
static const char *const arm_in_use[] = {
	"PrivateIPAddressIsAllocated", "PrivateIPAddressInUse",
	"IpConfigurationInUse", NULL
};
static const char *const arm_limit[] = {
	"MaxIpConfigurationsPerNicReached", "SubnetIsFull",
	"QuotaExceeded", "NetworkInterfaceIpConfigurationCountExceedsLimit",
	NULL
};
static const char *const arm_transient[] = {
	"AnotherOperationInProgress", "PreconditionFailed",
	"RetryableErrorDueToAnotherOperation", "InternalServerError",
	"ServiceUnavailable", "GatewayTimeout", "Canceled",
	"OperationPreempted", "InternalServerErrorRetryable", NULL
};

enum cloud_class
cloud_classify_arm(long status, const char *code, const char *message)
{
	if (code != NULL && *code != '\0') {
		if (in_list(code, arm_throttle))
			return CC_THROTTLED;
		if (in_list(code, arm_auth))
			return CC_AUTH_FAILURE;
		if (in_list(code, arm_not_found))
			return CC_NOT_FOUND;
		if (in_list(code, arm_in_use))
			return CC_ADDRESS_IN_USE;
		if (in_list(code, arm_limit) || ends_with(code, "LimitExceeded") ||
		    ends_with(code, "LimitReached"))
			return CC_LIMIT_EXCEEDED;
		if (in_list(code, arm_transient))
			return CC_TRANSIENT;
		if (says_in_use(message) && strstr(code, "PrivateIP") != NULL)
			return CC_ADDRESS_IN_USE;
	}
	if (status == 429)
		return CC_THROTTLED;
	if (status == 401 || status == 403)
		return CC_AUTH_FAILURE;
	if (status == 404)
		return CC_NOT_FOUND;
	if (status == 0 || status >= 500 || status == 408 || status == 409 ||
	    status == 412)
		return CC_TRANSIENT;
	if (status >= 200 && status < 300 && (code == NULL || *code == '\0'))
		return CC_OK;
	return CC_INVALID;
}

enum cloud_class
cloud_classify_aad(long status, const char *error)
{
	if (status == 429)
		return CC_THROTTLED;
	if (status == 0 || status >= 500)
		return CC_TRANSIENT;
	if (error != NULL && (strcmp(error, "temporarily_unavailable") == 0 ||
	    strcmp(error, "server_error") == 0))
		return CC_TRANSIENT;
	if (status >= 200 && status < 300 && error == NULL)
		return CC_OK;
	/* invalid_client, unauthorized_client, invalid_grant, ...: the
	 * credentials (or their configuration) are refused. */
	return CC_AUTH_FAILURE;
}
