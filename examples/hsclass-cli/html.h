/* html.h - the one HTML escaping of the project's pages (the eval report,
 * the audit report, the service's page): every string that reaches HTML
 * goes through html_text. */
#ifndef HSCLASS_CLI_HTML_H
#define HSCLASS_CLI_HTML_H

#include <stddef.h>
#include <stdio.h>

/* Write len bytes of s (NULL: nothing) as HTML text, safe both in element
 * content and in a quoted attribute value (either quote): & < > " ' become
 * character references; control characters other than tab and newline,
 * and bytes that are not valid UTF-8, become U+FFFD. Nothing written can
 * open or close a tag, an attribute or a comment. */
void html_text(FILE *f, const char *s, size_t len);

#endif
