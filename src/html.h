/* html.h — the one rule for text inside HTML (the form page and the report):
 * the five characters that could open markup or end an attribute value. */
#ifndef RUBRIC_HTML_H
#define RUBRIC_HTML_H

#include <stddef.h>

/* The entity that stands for c in HTML text and attribute values, or NULL
 * when c stands for itself. */
static inline const char *rb_html_entity(char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: return NULL;
    }
}

#endif
