/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The small, strict YAML subset that kubeconfig files use, read into a
 * jansson tree: block mappings and sequences (a sequence may sit at its
 * key's indentation, as kubectl writes it), plain, 'single' and "double"
 * quoted scalars, comments, empty {} and [].  Everything else (anchors,
 * tags, flow collections, block scalars, tabs, multiple documents) is
 * refused with the line number.  Scalars stay strings; `null` and `~` are
 * null.  A file that starts with '{' is read as JSON.
 */
#ifndef EIP_KYAML_H
#define EIP_KYAML_H

#include <stddef.h>

#include <jansson.h>

json_t	*kyaml_parse(const char *text, size_t len, char *err, size_t errlen);

#endif
