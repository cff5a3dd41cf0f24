/* _xmlscan: the XML that spreadsheet programs write, read in C without expat.
 *
 * _fastsheet.c reads parts through expat, which then takes most of a return's reading time.
 * This scanner reads the usual shape of a part several times faster and gives the handlers the
 * events expat gives them: names as expat's namespace processing gives them ("namespace}local",
 * or "local" in no namespace), attributes in document order without the namespace
 * declarations, character data with its references decoded.
 *
 * It reads a strict subset of XML 1.0 and says SCAN_UNSUPPORTED for everything else: comments,
 * processing instructions other than the XML declaration, CDATA, a DOCTYPE, a byte order mark,
 * an encoding other than UTF-8, carriage returns anywhere and tabs or newlines in attribute
 * values (which XML normalises), names that are not ASCII, namespace declarations that are not
 * plain, deep nesting, and anything not well-formed (mismatched tags, a duplicate attribute, an
 * unbound prefix, an unknown or illegal reference, "]]>" in text, a control character, UTF-8
 * that is not valid). The caller then parses the part with expat, which reads it or says what
 * is wrong: the scanner never decides that a part is damaged, and accepts only what it checked
 * is well-formed. tests/test_fastsheet.py compares its events with expat's on made-up, real
 * and damaged parts.
 */
#include "_xmlscan.h"
#include <string.h>
#include <strings.h>
#include <stdint.h>

#define MAX_DEPTH 256
#define MAX_ATTRIBUTES 64
#define MAX_BINDINGS 64
#define MAX_NAME 256
#define MAX_REFERENCE 12        /* "#x10FFFF;" and shorter */
#define SIGNAL_EVERY (1 << 20)  /* bytes scanned between checks for Ctrl-C */

static const char XML_NAMESPACE[] = "http://www.w3.org/XML/1998/namespace";
static const char XMLNS_NAMESPACE[] = "http://www.w3.org/2000/xmlns/";

typedef struct {
    const char *s;
    Py_ssize_t n;
} Slice;

typedef struct {
    Slice prefix;           /* empty for the default namespace */
    Slice uri;              /* empty: no default namespace (xmlns="") */
    int depth;              /* of the element declaring it */
} Binding;

typedef struct {
    Slice name;             /* as written */
    Slice value;            /* as written, between the quotes */
    Slice uri;              /* its namespace, when it has a prefix */
    int colon;              /* where its prefix ends in name, -1 when it has none */
    int declaration;        /* xmlns or xmlns:prefix */
} Attribute;

typedef struct {
    const char *p, *end;
    const ScanHandlers *h;
    int depth, root_done;
    Slice open[MAX_DEPTH];  /* the names of the elements open, as written */
    Binding bindings[MAX_BINDINGS];
    int binding_count;
    Attribute atts[MAX_ATTRIBUTES];
    const char *pointers[2 * MAX_ATTRIBUTES + 1];
    char *scratch;          /* the names and values given to a handler */
    Py_ssize_t scratch_size;
} Scan;

int xml_hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Py_ssize_t xml_put_utf8(char *out, long code) {
    if (code < 0x80) { out[0] = (char)code; return 1; }
    if (code < 0x800) {
        out[0] = (char)(0xC0 | (code >> 6));
        out[1] = (char)(0x80 | (code & 0x3F));
        return 2;
    }
    if (code < 0x10000) {
        out[0] = (char)(0xE0 | (code >> 12));
        out[1] = (char)(0x80 | ((code >> 6) & 0x3F));
        out[2] = (char)(0x80 | (code & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (code >> 18));
    out[1] = (char)(0x80 | ((code >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((code >> 6) & 0x3F));
    out[3] = (char)(0x80 | (code & 0x3F));
    return 4;
}

/* Whether every byte is part of a character read here: valid UTF-8 of an XML Char, without
 * U+FFFE, U+FFFF, or controls other than tab and newline. */
static int valid_characters(const unsigned char *s, Py_ssize_t n) {
    Py_ssize_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {           /* eight printable ASCII bytes at once */
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (((w | (w - 0x2020202020202020ULL)) & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        unsigned char c = s[i];
        if (c >= 0x20 && c < 0x80) { i++; continue; }
        if (c == '\t' || c == '\n') { i++; continue; }
        if (c >= 0xC2 && c <= 0xDF) {
            if (i + 1 >= n || (s[i + 1] & 0xC0) != 0x80) return 0;
            i += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if (i + 2 >= n) return 0;
            unsigned char c1 = s[i + 1], c2 = s[i + 2];
            if ((c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80) return 0;
            if (c == 0xE0 && c1 < 0xA0) return 0;                   /* overlong */
            if (c == 0xED && c1 >= 0xA0) return 0;                  /* a surrogate */
            if (c == 0xEF && c1 == 0xBF && c2 >= 0xBE) return 0;    /* U+FFFE, U+FFFF */
            i += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            if (i + 3 >= n) return 0;
            unsigned char c1 = s[i + 1];
            if ((c1 & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80 || (s[i + 3] & 0xC0) != 0x80)
                return 0;
            if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) return 0;
            i += 4;
        } else {
            return 0;
        }
    }
    return 1;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }

static int name_start(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int name_char(char c) {
    return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static int skip_space(Scan *s) {
    const char *from = s->p;
    while (s->p < s->end && is_space(*s->p)) s->p++;
    return s->p > from;
}

static int same(Slice a, Slice b) { return a.n == b.n && memcmp(a.s, b.s, (size_t)a.n) == 0; }

static int is_text(Slice a, const char *text) {
    return a.n == (Py_ssize_t)strlen(text) && memcmp(a.s, text, (size_t)a.n) == 0;
}

/* An ASCII name, [prefix:]local, at s->p; where its colon is (-1: none). */
static int read_name(Scan *s, Slice *name, int *colon) {
    const char *p = s->p;
    *colon = -1;
    if (p >= s->end || !name_start(*p)) return 0;
    for (p++; p < s->end; p++) {
        if (name_char(*p)) continue;
        if (*p != ':' || *colon >= 0 || p + 1 >= s->end || !name_start(p[1])) break;
        *colon = (int)(p - s->p);
    }
    if (p - s->p > MAX_NAME) return 0;
    *name = (Slice){s->p, p - s->p};
    s->p = p;
    return 1;
}

static int legal_character(long code) {
    return code == 0x9 || code == 0xA || code == 0xD || (code >= 0x20 && code <= 0xD7FF)
           || (code >= 0xE000 && code <= 0xFFFD) || (code >= 0x10000 && code <= 0x10FFFF);
}

/* The character of the reference after the '&' at p, and where the reference ends; -1 when it
 * is not one read here. */
static long reference(const char *p, const char *end, const char **after) {
    Py_ssize_t room = end - p < MAX_REFERENCE ? end - p : MAX_REFERENCE;
    const char *semicolon = memchr(p, ';', (size_t)room);
    if (semicolon == NULL) return -1;
    Slice name = {p, semicolon - p};
    *after = semicolon + 1;
    if (is_text(name, "lt")) return '<';
    if (is_text(name, "gt")) return '>';
    if (is_text(name, "amp")) return '&';
    if (is_text(name, "apos")) return '\'';
    if (is_text(name, "quot")) return '"';
    if (name.n < 2 || p[0] != '#') return -1;
    int hex = p[1] == 'x';
    Py_ssize_t i = hex ? 2 : 1;
    if (i >= name.n) return -1;
    long code = 0;
    for (; i < name.n; i++) {
        int digit = hex ? xml_hex_digit(p[i]) : (p[i] >= '0' && p[i] <= '9' ? p[i] - '0' : -1);
        if (digit < 0) return -1;
        code = code * (hex ? 16 : 10) + digit;
        if (code > 0x10FFFF) return -1;
    }
    return legal_character(code) ? code : -1;
}

/* A quoted attribute value at s->p, checked: no '<', no tab or newline, references read. */
static int read_value(Scan *s, Slice *value) {
    char quote = *s->p;
    if (quote != '"' && quote != '\'') return 0;
    const char *from = s->p + 1;
    const char *close = memchr(from, quote, (size_t)(s->end - from));
    if (close == NULL) return 0;
    for (const char *c = from; c < close; c++) {
        if (*c == '<' || *c == '\t' || *c == '\n') return 0;
        if (*c == '&') {
            const char *after;
            if (reference(c + 1, close, &after) < 0) return 0;
            c = after - 1;
        }
    }
    *value = (Slice){from, close - from};
    s->p = close + 1;
    return 1;
}

/* Note a namespace declaration of the element at ``depth``; 0 when it is not a plain one. */
static int bind(Scan *s, const Attribute *a, int depth) {
    if (s->binding_count == MAX_BINDINGS || memchr(a->value.s, '&', (size_t)a->value.n)) return 0;
    if (is_text(a->value, XML_NAMESPACE) || is_text(a->value, XMLNS_NAMESPACE)) return 0;
    Binding *b = &s->bindings[s->binding_count];
    if (a->colon < 0) {
        b->prefix = (Slice){a->name.s, 0};
    } else {
        b->prefix = (Slice){a->name.s + a->colon + 1, a->name.n - a->colon - 1};
        if (a->value.n == 0 || is_text(b->prefix, "xml") || is_text(b->prefix, "xmlns"))
            return 0;
    }
    b->uri = a->value;
    b->depth = depth;
    s->binding_count++;
    return 1;
}

/* The namespace of a name's prefix (the default one for an element's name without one; none
 * for an attribute's); 0 when the prefix is not bound. */
static int resolve(const Scan *s, Slice name, int colon, int element, Slice *uri) {
    *uri = (Slice){NULL, 0};
    if (colon < 0 && !element) return 1;
    Slice prefix = {name.s, colon < 0 ? 0 : colon};
    if (is_text(prefix, "xml")) {
        *uri = (Slice){XML_NAMESPACE, (Py_ssize_t)sizeof XML_NAMESPACE - 1};
        return 1;
    }
    for (int i = s->binding_count - 1; i >= 0; i--) {
        if (same(s->bindings[i].prefix, prefix)) {
            *uri = s->bindings[i].uri;
            return 1;
        }
    }
    return colon < 0;       /* no default namespace: the name is in none */
}

static int grow_scratch(Scan *s, Py_ssize_t size) {
    if (size <= s->scratch_size) return 1;
    char *grown = PyMem_Realloc(s->scratch, (size_t)size);
    if (grown == NULL) { PyErr_NoMemory(); return 0; }
    s->scratch = grown;
    s->scratch_size = size;
    return 1;
}

/* Write a name as expat gives it ("namespace}local", or "local") at out; past its NUL. */
static char *put_name(char *out, Slice name, int colon, Slice uri) {
    Slice local = colon < 0 ? name : (Slice){name.s + colon + 1, name.n - colon - 1};
    if (uri.n > 0) {
        memcpy(out, uri.s, (size_t)uri.n);
        out += uri.n;
        *out++ = '}';
    }
    memcpy(out, local.s, (size_t)local.n);
    out += local.n;
    *out++ = '\0';
    return out;
}

/* Write a value with its references decoded at out; past its NUL. */
static char *put_value(char *out, Slice value) {
    const char *p = value.s, *end = value.s + value.n;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        memcpy(out, p, (size_t)(stop - p));
        out += stop - p;
        if (amp == NULL) break;
        out += xml_put_utf8(out, reference(amp + 1, end, &p));
    }
    *out++ = '\0';
    return out;
}

static int stopped(const Scan *s) {
    return s->h != NULL && ((s->h->stop && *s->h->stop) || (s->h->stop_too && *s->h->stop_too));
}

/* Give the end of an element to the handler. */
static enum ScanResult give_end(Scan *s, Slice name, int colon) {
    if (s->h == NULL || s->h->end == NULL) return SCAN_OK;
    Slice uri;
    resolve(s, name, colon, 1, &uri);
    if (!grow_scratch(s, uri.n + name.n + 2)) return SCAN_FAILED;
    put_name(s->scratch, name, colon, uri);
    s->h->end(s->h->data, s->scratch);
    return SCAN_OK;
}

/* Give the start of an element and its attributes to the handler. */
static enum ScanResult give_start(Scan *s, Slice name, int colon, Slice uri, int count) {
    if (s->h == NULL || s->h->start == NULL) return SCAN_OK;
    Py_ssize_t size = uri.n + name.n + 2;
    for (int i = 0; i < count; i++)
        size += s->atts[i].uri.n + s->atts[i].name.n + s->atts[i].value.n + 3;
    if (!grow_scratch(s, size)) return SCAN_FAILED;
    char *out = put_name(s->scratch, name, colon, uri);
    int given = 0;
    for (int i = 0; i < count; i++) {
        const Attribute *a = &s->atts[i];
        if (a->declaration) continue;
        s->pointers[given++] = out;
        out = put_name(out, a->name, a->colon, a->uri);
        s->pointers[given++] = out;
        out = put_value(out, a->value);
    }
    s->pointers[given] = NULL;
    s->h->start(s->h->data, s->scratch, s->pointers);
    return SCAN_OK;
}

/* Whether ``a`` declares a namespace. */
static int is_declaration(const Attribute *a) {
    return a->colon < 0 ? is_text(a->name, "xmlns") : (a->colon == 5
                                                       && memcmp(a->name.s, "xmlns", 5) == 0);
}

/* The attributes of a start tag, up to its '>' or "/>"; how many, or -1 when not read here. */
static int read_attributes(Scan *s, int depth) {
    int count = 0;
    for (;;) {
        int spaced = skip_space(s);
        if (s->p >= s->end) return -1;
        if (*s->p == '>' || *s->p == '/') return count;
        if (!spaced || count == MAX_ATTRIBUTES) return -1;
        Attribute *a = &s->atts[count];
        if (!read_name(s, &a->name, &a->colon)) return -1;
        skip_space(s);
        if (s->p >= s->end || *s->p != '=') return -1;
        s->p++;
        skip_space(s);
        if (s->p >= s->end || !read_value(s, &a->value)) return -1;
        for (int i = 0; i < count; i++)
            if (same(s->atts[i].name, a->name)) return -1;
        a->declaration = is_declaration(a);
        if (a->declaration && !bind(s, a, depth)) return -1;
        count++;
    }
}

/* A start tag, s->p just after its '<'. */
static enum ScanResult start_tag(Scan *s) {
    Slice name, uri;
    int colon, depth = s->depth + 1;
    if (s->root_done || depth > MAX_DEPTH || !read_name(s, &name, &colon))
        return SCAN_UNSUPPORTED;
    int count = read_attributes(s, depth);
    if (count < 0) return SCAN_UNSUPPORTED;
    int empty = *s->p == '/';
    if (empty && (s->p + 1 >= s->end || s->p[1] != '>')) return SCAN_UNSUPPORTED;
    s->p += empty ? 2 : 1;
    if (!resolve(s, name, colon, 1, &uri)) return SCAN_UNSUPPORTED;
    for (int i = 0; i < count; i++) {
        Attribute *a = &s->atts[i];
        if (a->declaration) continue;
        if (!resolve(s, a->name, a->colon, 0, &a->uri)) return SCAN_UNSUPPORTED;
        for (int j = 0; j < i && a->colon >= 0; j++) {      /* the same name, two prefixes */
            const Attribute *b = &s->atts[j];
            if (!b->declaration && b->colon >= 0 && same(a->uri, b->uri)
                && a->name.n - a->colon == b->name.n - b->colon
                && memcmp(a->name.s + a->colon, b->name.s + b->colon,
                          (size_t)(a->name.n - a->colon)) == 0)
                return SCAN_UNSUPPORTED;
        }
    }
    if (give_start(s, name, colon, uri, count) != SCAN_OK) return SCAN_FAILED;
    if (!empty) {
        s->open[s->depth++] = name;
        return SCAN_OK;
    }
    if (!stopped(s) && give_end(s, name, colon) != SCAN_OK) return SCAN_FAILED;
    while (s->binding_count > 0 && s->bindings[s->binding_count - 1].depth == depth)
        s->binding_count--;
    s->root_done = s->depth == 0;
    return SCAN_OK;
}

/* An end tag, s->p just after its "</". */
static enum ScanResult end_tag(Scan *s) {
    Slice name;
    int colon;
    if (s->depth == 0 || !read_name(s, &name, &colon)) return SCAN_UNSUPPORTED;
    skip_space(s);
    if (s->p >= s->end || *s->p != '>' || !same(name, s->open[s->depth - 1]))
        return SCAN_UNSUPPORTED;
    s->p++;
    if (give_end(s, name, colon) != SCAN_OK) return SCAN_FAILED;
    while (s->binding_count > 0 && s->bindings[s->binding_count - 1].depth == s->depth)
        s->binding_count--;
    s->depth--;
    s->root_done = s->depth == 0;
    return SCAN_OK;
}

static void give_text(Scan *s, const char *text, Py_ssize_t n) {
    if (s->h == NULL || s->h->text == NULL) return;
    while (n > 0 && !stopped(s)) {
        int piece = n > INT_MAX ? INT_MAX : (int)n;
        s->h->text(s->h->data, text, piece);
        text += piece;
        n -= piece;
    }
}

/* Character data up to ``stop`` (the next '<', or the end). */
static enum ScanResult text(Scan *s, const char *stop) {
    const char *p = s->p;
    s->p = stop;
    if (s->depth == 0) {        /* before or after the root: only spaces */
        for (; p < stop; p++)
            if (!is_space(*p)) return SCAN_UNSUPPORTED;
        return SCAN_OK;
    }
    while (p < stop && !stopped(s)) {
        const char *amp = memchr(p, '&', (size_t)(stop - p));
        const char *plain = amp ? amp : stop;
        for (const char *gt = p; (gt = memchr(gt, '>', (size_t)(plain - gt))) != NULL; gt++)
            if (gt - p >= 2 && gt[-1] == ']' && gt[-2] == ']') return SCAN_UNSUPPORTED;
        give_text(s, p, plain - p);
        if (amp == NULL) break;
        long code = reference(amp + 1, stop, &p);
        if (code < 0) return SCAN_UNSUPPORTED;
        char utf8[4];
        give_text(s, utf8, xml_put_utf8(utf8, code));
    }
    return SCAN_OK;
}

/* Skip ``keyword`` = "value" in the XML declaration; the value, or an empty slice when the
 * keyword is not there. 0 when it is there but not read here. */
static int declared(Scan *s, const char *keyword, Slice *value) {
    const char *at = s->p;
    *value = (Slice){NULL, 0};
    if (!skip_space(s)) { s->p = at; return 1; }
    Py_ssize_t n = (Py_ssize_t)strlen(keyword);
    if (s->end - s->p < n || memcmp(s->p, keyword, (size_t)n) != 0) { s->p = at; return 1; }
    s->p += n;
    skip_space(s);
    if (s->p >= s->end || *s->p != '=') return 0;
    s->p++;
    skip_space(s);
    if (s->p >= s->end || (*s->p != '"' && *s->p != '\'')) return 0;
    const char *close = memchr(s->p + 1, *s->p, (size_t)(s->end - s->p - 1));
    if (close == NULL || close == s->p + 1) return 0;
    *value = (Slice){s->p + 1, close - s->p - 1};
    s->p = close + 1;
    return 1;
}

/* The XML declaration, when the part opens with one: version 1.0, UTF-8 if an encoding. */
static int declaration(Scan *s) {
    if (s->end - s->p < 6 || memcmp(s->p, "<?xml", 5) != 0 || !is_space(s->p[5])) return 1;
    s->p += 5;
    Slice version, encoding, standalone;
    if (!declared(s, "version", &version) || !is_text(version, "1.0")) return 0;
    if (!declared(s, "encoding", &encoding) || !declared(s, "standalone", &standalone)) return 0;
    if (encoding.n && !(encoding.n == 5 && strncasecmp(encoding.s, "utf-8", 5) == 0)) return 0;
    if (standalone.n && !is_text(standalone, "yes") && !is_text(standalone, "no")) return 0;
    skip_space(s);
    if (s->end - s->p < 2 || memcmp(s->p, "?>", 2) != 0) return 0;
    s->p += 2;
    return 1;
}

enum ScanResult xml_scan(const char *data, Py_ssize_t length, const ScanHandlers *handlers) {
    Scan s;
    memset(&s, 0, sizeof s);
    s.p = data;
    s.end = data + length;
    s.h = handlers;
    enum ScanResult result = SCAN_OK;
    if (handlers == NULL && !valid_characters((const unsigned char *)data, length))
        return SCAN_UNSUPPORTED;
    if (!declaration(&s)) return SCAN_UNSUPPORTED;
    const char *check_signals_at = s.p + SIGNAL_EVERY;
    while (s.p < s.end && result == SCAN_OK && !stopped(&s)) {
        if (*s.p != '<') {
            const char *lt = memchr(s.p, '<', (size_t)(s.end - s.p));
            result = text(&s, lt ? lt : s.end);
        } else if (s.p + 1 < s.end && s.p[1] == '/') {
            s.p += 2;
            result = end_tag(&s);
        } else if (s.p + 1 < s.end && s.p[1] != '!' && s.p[1] != '?') {
            s.p += 1;
            result = start_tag(&s);
        } else {
            result = SCAN_UNSUPPORTED;
        }
        if (s.p >= check_signals_at) {
            check_signals_at = s.p + SIGNAL_EVERY;
            if (PyErr_CheckSignals() < 0) result = SCAN_FAILED;
        }
    }
    if (result == SCAN_OK && !stopped(&s) && !s.root_done) result = SCAN_UNSUPPORTED;
    PyMem_Free(s.scratch);
    return result;
}
