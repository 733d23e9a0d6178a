/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small, bounded element tree built with Expat, for the EC2 and STS
 * responses the cloudworker reads.  Namespaces are dropped (EC2 puts one
 * on the root element only), DTDs are refused, depth and node count are
 * capped, so a hostile or broken endpoint costs memory in proportion to
 * what it sent and never more.
 */
#ifndef EIP_CLOUD_XML_H
#define EIP_CLOUD_XML_H

#include <stddef.h>

#define XML_MAX_DEPTH	64
#define XML_MAX_NODES	(1u << 20)

struct eip_xnode {
	char			*name;		/* local name, prefix dropped */
	char			*text;		/* character data, NUL-terminated */
	size_t			 text_len;
	struct eip_xnode	*parent;
	struct eip_xnode	*first;		/* children, in document order */
	struct eip_xnode	*last;
	struct eip_xnode	*next;		/* next sibling */
};

/* Parses a whole document; NULL with a reason in err. */
struct eip_xnode *xml_parse(const char *buf, size_t len, char *err,
		    size_t errlen);
void		 xml_free(struct eip_xnode *);

/* First child element with this name, or NULL. */
const struct eip_xnode *xml_child(const struct eip_xnode *, const char *name);
/* Next sibling with the same name as n, or NULL. */
const struct eip_xnode *xml_next(const struct eip_xnode *n);
/* Follows "a/b/c" from n through first matches; NULL if any is missing. */
const struct eip_xnode *xml_path(const struct eip_xnode *, const char *path);
/*
 * Text of the element at path with surrounding white space trimmed into
 * a static-free result: a pointer into the node (the tree keeps it) or
 * NULL when the element is absent.
 */
const char	*xml_text(const struct eip_xnode *, const char *path);

#endif
