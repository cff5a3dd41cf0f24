/* _fastsheet: the cells of a worksheet part, read in C.
 *
 * An optional accelerator for workbook_engine/xlsx/reader.py. It reads what the Python reader
 * reads (XlsxReader.read_sheet and read_rows) without building an element tree or running
 * Python for every cell: through _xmlscan.c, which tokenizes the XML spreadsheet programs
 * write, or, for any part the scanner leaves, with the same expat the standard library's
 * ElementTree uses, through pyexpat's C API; both give the same events to the same handlers.
 * It handles only the shape real sheets have:
 *
 *     worksheet > sheetData > row > c > (f | v | is > (t | r > (rPr | t) | rPh | phoneticPr))
 *
 * and gives up (returns None) on anything else: XML that is not well-formed, rows or cells
 * elsewhere, elements inside f, v or t, references or row numbers it does not read the way
 * Python does, a shared-string index that is not a number. The caller then reads the part in
 * Python, which gives the same result or says what is wrong, so this module never decides an
 * outcome on its own. tests/test_fastsheet.py compares the two on real and damaged files.
 *
 * Elements in no namespace are read as the main namespace's when asked (bare: the part's root
 * declares no default namespace, see _bare in reader.py). Texts of inline strings and of
 * formulas' string results have their _xHHHH_ escapes decoded as reader.unescape does.
 *
 * It also reads workbook.xml's root, sheets and defined names (XlsxReader._workbook), and
 * gives up on a defined name holding an element; the texts of the shared-string table; and
 * the attributes of the elements of the small parts that say where the workbook's parts are
 * and what they are (relationships, content types).
 *
 * The caller only passes UTF-8 parts without a DTD (see _without_dtd in reader.py), so no
 * entity can be declared, and expat's own limits apply to everything else.
 */
#include "_xmlscan.h"
#include <string.h>

/* The subset of expat's API used here, as pyexpat exports it (Include/pyexpat.h); declared
 * here so that building needs no expat headers. */
typedef struct XML_ParserStruct *XML_Parser;

struct PyExpat_CAPI {
    char *magic;
    int size;
    int MAJOR_VERSION;
    int MINOR_VERSION;
    int MICRO_VERSION;
    void *ErrorString;
    void *GetErrorCode;
    void *GetErrorColumnNumber;
    void *GetErrorLineNumber;
    int (*Parse)(XML_Parser, const char *, int, int);
    XML_Parser (*ParserCreate_MM)(const XML_Char *, const void *, const XML_Char *);
    void (*ParserFree)(XML_Parser);
    void (*SetCharacterDataHandler)(XML_Parser, XML_CharacterDataHandler);
    void *SetCommentHandler;
    void *SetDefaultHandlerExpand;
    void (*SetElementHandler)(XML_Parser, XML_StartElementHandler, XML_EndElementHandler);
    void *SetNamespaceDeclHandler;
    void *SetProcessingInstructionHandler;
    void *SetUnknownEncodingHandler;
    void (*SetUserData)(XML_Parser, void *);
};

static struct PyExpat_CAPI *expat;

#define MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
#define CHUNK (64 * 1024)
#define MAX_ROW_DIGITS 9

/* Where the parser is, for the element just opened. */
enum Place {
    OUTSIDE,        /* before, between or after the parts read */
    SHEET_DATA,     /* inside <sheetData> */
    ROW,            /* inside <row> */
    CELL,           /* inside <c> */
    FORMULA,        /* inside <f>: text kept */
    VALUE,          /* inside <v>: text kept */
    INLINE,         /* inside <is> */
    INLINE_TEXT,    /* inside <is><t> or <is><r><t>: text kept */
    RUN,            /* inside <is><r> */
    RUN_PROPERTIES, /* inside <is><r><rPr>: skipped, but a <t> there gives up */
};

typedef struct {
    char *data;
    Py_ssize_t length, capacity;
    int seen;               /* any character data at all (ElementTree's text is then not None) */
} Text;

typedef struct {
    /* asked for */
    long max_row, max_col;
    int rows_mode;          /* read_rows: a list of (number, values); else read_sheet's cells */
    PyObject *strings_fn;   /* called once, on the first shared string */
    PyObject *strings;
    PyTypeObject *cell_type;
    PyObject *unsaved;      /* read_rows: the value of a formula cell without a saved value */
    /* found */
    PyObject *cells;        /* dict (row, col) -> Cell */
    PyObject *hidden;       /* set of row numbers */
    PyObject *rows;         /* list of (number, tuple) */
    PyObject *values;       /* the current row's values (rows mode) */
    long last_row;          /* rows mode: the last row kept, for the order check */
    /* state */
    int give_up, failed, stopped, sheet_data_seen;
    int bare;               /* elements in no namespace are the main namespace's */
    enum Place stack[16];
    int depth;              /* elements open inside <sheetData> (0: outside) */
    int skip_depth;         /* elements open inside a skipped one */
    long row_number, cell_row, col;
    char kind[16];
    int has_f, has_v, has_is;
    Text f, v, is;
    Py_ssize_t t_start;     /* where the text of the <t> open in <is> starts in is */
} Reader;

static PyObject *KIND_N, *KIND_S, *KIND_B, *KIND_E, *KIND_D, *STRIP;

static void give_up(Reader *r) { r->give_up = 1; }

static int text_add(Text *t, const char *s, int len) {
    if (len <= 0) return 0;
    t->seen = 1;
    if (t->length + len > t->capacity) {
        Py_ssize_t capacity = (t->length + len) * 2 + 64;
        char *grown = PyMem_Realloc(t->data, capacity);
        if (grown == NULL) return -1;
        t->data = grown;
        t->capacity = capacity;
    }
    memcpy(t->data + t->length, s, len);
    t->length += len;
    return 0;
}

static void text_clear(Text *t) { t->length = 0; t->seen = 0; }

/* -- _xHHHH_ escapes (OOXML's ST_Xstring), decoded as reader.unescape decodes them ---- */

#define ESCAPE_LENGTH 7     /* _xHHHH_ */

/* The UTF-16 code unit of the escape at s[at], else -1. */
static long escape_at(const char *s, Py_ssize_t n, Py_ssize_t at) {
    if (n - at < ESCAPE_LENGTH || s[at] != '_' || s[at + 1] != 'x' || s[at + 6] != '_')
        return -1;
    long unit = 0;
    for (int i = 2; i < 6; i++) {
        int digit = xml_hex_digit(s[at + i]);
        if (digit < 0) return -1;
        unit = unit * 16 + digit;
    }
    return unit;
}

/* Where the first "_x" of s[0:n] starts, else -1. */
static Py_ssize_t escape_start(const char *s, Py_ssize_t n) {
    const char *end = s + n - 1, *p = s;
    while (p < end && (p = memchr(p, '_', (size_t)(end - p))) != NULL) {
        if (p[1] == 'x') return p - s;
        p++;
    }
    return -1;
}

/* Decode the escapes of the UTF-8 text s[0:n] in place, left to right: each one is its code
 * unit, two that make a surrogate pair one character, a surrogate without its other half
 * U+FFFD. A character never takes more bytes than its escapes, so the text only shrinks.
 * Returns the text's new length. */
static Py_ssize_t unescape(char *s, Py_ssize_t n) {
    Py_ssize_t at = n < ESCAPE_LENGTH ? -1 : escape_start(s, n), out = at;
    if (at < 0) return n;
    while (at < n) {
        long code = escape_at(s, n, at);
        if (code < 0) { s[out++] = s[at++]; continue; }
        at += ESCAPE_LENGTH;
        if (code >= 0xD800 && code <= 0xDBFF) {
            long low = escape_at(s, n, at);
            if (low >= 0xDC00 && low <= 0xDFFF) {
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                at += ESCAPE_LENGTH;
            } else {
                code = 0xFFFD;
            }
        } else if (code >= 0xDC00 && code <= 0xDFFF) {
            code = 0xFFFD;
        }
        out += xml_put_utf8(s + out, code);
    }
    return out;
}

static const char *attribute(const XML_Char **atts, const char *name) {
    for (int i = 0; atts[i] != NULL; i += 2)
        if (strcmp(atts[i], name) == 0) return atts[i + 1];
    return NULL;
}

/* An ASCII number of at most MAX_ROW_DIGITS digits after its leading zeros, else -1 (-2 when
 * it is all digits but longer). */
static long digits_value(const char *s, size_t n) {
    if (n == 0) return -1;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return -1;
    while (n > 1 && s[0] == '0') { s++; n--; }
    if (n > MAX_ROW_DIGITS) return -2;
    long value = 0;
    for (size_t i = 0; i < n; i++) value = value * 10 + (s[i] - '0');
    return value;
}

/* A reference such as K8 (letters in either case, then digits), as split_ref reads it; 0 when it
 * is some other form (which the Python reader then reads or refuses). */
static int split_reference(const char *ref, long *row, long *col) {
    size_t n = strlen(ref), letters = 0;
    while (letters < n && ((ref[letters] >= 'A' && ref[letters] <= 'Z')
                           || (ref[letters] >= 'a' && ref[letters] <= 'z')))
        letters++;
    if (letters == 0 || letters > 3) return 0;
    long number = digits_value(ref + letters, n - letters);
    if (number < 0) return 0;
    long column = 0;
    for (size_t i = 0; i < letters; i++)
        column = column * 26 + ((ref[i] | 0x20) - 'a' + 1);
    *row = number;
    *col = column;
    return 1;
}

static void start_row(Reader *r, const XML_Char **atts) {
    const char *given = attribute(atts, "r");
    if (given != NULL && given[0] != '\0') {
        size_t n = strlen(given);
        int ascii_digits = 1;
        for (size_t i = 0; i < n; i++)
            if (given[i] < '0' || given[i] > '9') ascii_digits = 0;
        if (!ascii_digits) {
            for (size_t i = 0; i < n; i++)
                if ((unsigned char)given[i] >= 0x80) { give_up(r); return; }  /* isdigit() */
            r->row_number += 1;                      /* not digits: the next row, as Python */
        } else {
            long number = digits_value(given, n);
            r->row_number = number < 0 ? r->max_row + 1 : number;   /* too big: past them */
        }
    } else {
        r->row_number += 1;
    }
    if (r->row_number > r->max_row) {
        r->stopped = 1;
        if (r->rows_mode) give_up(r);   /* a table past a sheet's last row: Python says where */
        return;
    }
    r->cell_row = r->row_number;
    r->col = 0;
    if (r->rows_mode) {
        r->values = PyList_New(0);
        if (r->values == NULL) { r->failed = 1; return; }
        return;
    }
    const char *hidden = attribute(atts, "hidden");
    if (hidden != NULL && (strcmp(hidden, "1") == 0 || strcmp(hidden, "true") == 0)) {
        PyObject *number = PyLong_FromLong(r->row_number);
        if (number == NULL || PySet_Add(r->hidden, number) < 0) r->failed = 1;
        Py_XDECREF(number);
    }
}

static void start_cell(Reader *r, const XML_Char **atts) {
    const char *ref = attribute(atts, "r");
    if (ref != NULL && ref[0] != '\0') {
        if (!split_reference(ref, &r->cell_row, &r->col)) { give_up(r); return; }
    } else {
        r->col += 1;
    }
    const char *kind = attribute(atts, "t");
    if (kind == NULL) kind = "n";
    size_t n = strlen(kind);
    if (n >= sizeof r->kind) { give_up(r); return; }
    memcpy(r->kind, kind, n + 1);
    r->has_f = r->has_v = r->has_is = 0;
    text_clear(&r->f);
    text_clear(&r->v);
    text_clear(&r->is);
}

static PyObject *decoded(Text *t) {
    return PyUnicode_DecodeUTF8(t->data, t->length, "strict");
}

/* A shared string by its index: the table's text there, or "" past its end (as Python). */
static PyObject *shared_string(Reader *r, long long at) {
    if (r->strings == NULL) {
        r->strings = PyObject_CallNoArgs(r->strings_fn);
        if (r->strings == NULL) return NULL;
        if (!PyList_Check(r->strings)) { give_up(r); return NULL; }
    }
    if (at >= 0 && at < PyList_GET_SIZE(r->strings)) {
        PyObject *value = PyList_GET_ITEM(r->strings, at);
        Py_INCREF(value);
        return value;
    }
    return PyUnicode_FromStringAndSize("", 0);
}

static PyObject *number_or_text(PyObject *text, PyObject **kind) {
    PyObject *number = PyFloat_FromString(text);
    if (number != NULL) { *kind = KIND_N; return number; }
    if (!PyErr_ExceptionMatches(PyExc_ValueError)) return NULL;
    PyErr_Clear();
    *kind = KIND_S;
    Py_INCREF(text);
    return text;
}

/* The value of the cell just closed, as reader._value gives it: a new Cell, Py_None (a
 * new reference) for a cell holding nothing, or NULL with give_up or an exception set. */
static PyObject *cell_value(Reader *r) {
    int inline_string = strcmp(r->kind, "inlineStr") == 0;
    PyObject *formula = NULL, *value = NULL, *kind = NULL;
    if (!r->has_f && !r->has_v && !r->has_is) {
        if (!inline_string) Py_RETURN_NONE;
        value = PyUnicode_FromStringAndSize("", 0);
        kind = KIND_S;
        formula = Py_None;
        Py_INCREF(formula);
        goto made;
    }
    if (r->has_f) formula = decoded(&r->f);
    else { formula = Py_None; Py_INCREF(formula); }
    if (formula == NULL) return NULL;
    if (inline_string) {
        value = r->has_is ? decoded(&r->is) : PyUnicode_FromStringAndSize("", 0);
        kind = KIND_S;
        goto made;
    }
    if (!r->has_v || !r->v.seen) {                 /* <v> missing or empty: text None */
        if (formula == Py_None) { Py_DECREF(formula); Py_RETURN_NONE; }
        value = Py_None;
        Py_INCREF(value);
        kind = KIND_N;
        goto made;
    }
    int shared = strcmp(r->kind, "s") == 0;
    if (strcmp(r->kind, "str") == 0) r->v.length = unescape(r->v.data, r->v.length);
    PyObject *text = decoded(&r->v);
    if (text == NULL) { Py_DECREF(formula); return NULL; }
    if (shared) {
        PyObject *index = PyLong_FromUnicodeObject(text, 10);
        Py_DECREF(text);
        if (index == NULL) {                    /* Python raises: let it say so */
            Py_DECREF(formula);
            if (!PyErr_ExceptionMatches(PyExc_ValueError)) return NULL;
            PyErr_Clear();
            give_up(r);
            return NULL;
        }
        int overflow = 0;
        long long at = PyLong_AsLongLongAndOverflow(index, &overflow);
        Py_DECREF(index);
        value = shared_string(r, overflow ? -1 : at);
        kind = KIND_S;
    } else if (strcmp(r->kind, "str") == 0) {
        value = text;
        kind = KIND_S;
    } else if (strcmp(r->kind, "b") == 0 || strcmp(r->kind, "e") == 0
               || strcmp(r->kind, "d") == 0) {
        PyObject *stripped = PyObject_CallMethodNoArgs(text, STRIP);
        Py_DECREF(text);
        if (stripped == NULL) { Py_DECREF(formula); return NULL; }
        if (r->kind[0] == 'b') {
            value = (PyUnicode_CompareWithASCIIString(stripped, "1") == 0
                     || PyUnicode_CompareWithASCIIString(stripped, "true") == 0)
                    ? Py_True : Py_False;
            Py_INCREF(value);
            Py_DECREF(stripped);
            kind = KIND_B;
        } else {
            value = stripped;
            kind = r->kind[0] == 'e' ? KIND_E : KIND_D;
        }
    } else {                                    /* "n", and any kind Python does not know */
        value = number_or_text(text, &kind);
        Py_DECREF(text);
    }
made:
    if (value == NULL) { Py_DECREF(formula); return NULL; }
    PyObject *cell = r->cell_type->tp_alloc(r->cell_type, 3);
    if (cell == NULL) { Py_DECREF(value); Py_DECREF(formula); return NULL; }
    Py_INCREF(kind);
    PyTuple_SET_ITEM(cell, 0, value);
    PyTuple_SET_ITEM(cell, 1, kind);
    PyTuple_SET_ITEM(cell, 2, formula);
    return cell;
}

static int keep_cell(Reader *r, PyObject *cell) {
    if (!r->rows_mode) {
        PyObject *key = Py_BuildValue("(ll)", r->cell_row, r->col);
        if (key == NULL) return -1;
        int failed = PyDict_SetItem(r->cells, key, cell);
        Py_DECREF(key);
        return failed;
    }
    if (r->cell_row != r->row_number) { give_up(r); return 0; }   /* a cell of another row */
    PyObject *value = PyTuple_GET_ITEM(cell, 0);
    if (value == Py_None) value = r->unsaved;     /* only a formula's cell is kept valueless */
    while (PyList_GET_SIZE(r->values) < r->col)
        if (PyList_Append(r->values, Py_None) < 0) return -1;
    Py_INCREF(value);
    return PyList_SetItem(r->values, r->col - 1, value);
}

static void end_cell(Reader *r) {
    if (r->col > r->max_col) return;
    PyObject *cell = cell_value(r);
    if (cell == NULL) {
        if (!r->give_up) r->failed = 1;
        return;
    }
    if (cell != Py_None && keep_cell(r, cell) < 0) r->failed = 1;
    Py_DECREF(cell);
}

static void end_row(Reader *r) {
    if (!r->rows_mode) return;
    PyObject *values = r->values;
    r->values = NULL;
    if (PyList_GET_SIZE(values) > 0) {
        if (r->row_number <= r->last_row) give_up(r);             /* repeated or going back */
        else {
            r->last_row = r->row_number;
            PyObject *row = Py_BuildValue("(lN)", r->row_number, PyList_AsTuple(values));
            if (row == NULL || PyList_Append(r->rows, row) < 0) r->failed = 1;
            Py_XDECREF(row);
        }
    }
    Py_DECREF(values);
}

static int is_main(const char *name, const char *local) {
    return strncmp(name, MAIN, sizeof MAIN - 1) == 0 && strcmp(name + sizeof MAIN - 1, local) == 0;
}

static void push(Reader *r, enum Place place) {
    if (r->depth >= (int)(sizeof r->stack / sizeof r->stack[0])) { give_up(r); return; }
    r->stack[r->depth++] = place;
}

/* is_main in a sheet part: also a name in no namespace (expat gives it without "}") when the
 * part reads those as the main namespace's. */
static int is(const Reader *r, const char *name, const char *local) {
    return is_main(name, local) || (r->bare && strcmp(name, local) == 0);
}

static void open_text(Reader *r) {
    r->t_start = r->is.length;
    push(r, INLINE_TEXT);
}

static void on_start(void *data, const XML_Char *name, const XML_Char **atts) {
    Reader *r = data;
    if (r->give_up || r->failed || r->stopped) return;
    if (r->skip_depth > 0) {
        if (is(r, name, "row") || is(r, name, "c")) give_up(r);
        else r->skip_depth++;
        return;
    }
    enum Place here = r->depth ? r->stack[r->depth - 1] : OUTSIDE;
    switch (here) {
    case OUTSIDE:
        if (is(r, name, "sheetData")) {
            if (r->sheet_data_seen) { give_up(r); return; }   /* a second one */
            r->sheet_data_seen = 1;
            push(r, SHEET_DATA);
        } else if (is(r, name, "row") || is(r, name, "c")) {
            give_up(r);                                       /* a row elsewhere */
        }
        return;
    case SHEET_DATA:
        if (!is(r, name, "row")) { give_up(r); return; }
        start_row(r, atts);
        if (!r->stopped) push(r, ROW);
        return;
    case ROW:
        if (!is(r, name, "c")) { give_up(r); return; }
        start_cell(r, atts);
        push(r, CELL);
        return;
    case CELL:
        if (is(r, name, "f") && !r->has_f) { r->has_f = 1; push(r, FORMULA); }
        else if (is(r, name, "v") && !r->has_v) { r->has_v = 1; push(r, VALUE); }
        else if (is(r, name, "is") && !r->has_is) { r->has_is = 1; push(r, INLINE); }
        else give_up(r);
        return;
    case INLINE:
        if (is(r, name, "t")) open_text(r);
        else if (is(r, name, "r")) push(r, RUN);
        else if (is(r, name, "c") || is(r, name, "row")) give_up(r);
        else r->skip_depth = 1;                     /* rPh, phoneticPr: Python skips them */
        return;
    case RUN:
        if (is(r, name, "t")) open_text(r);
        else if (is(r, name, "rPr")) push(r, RUN_PROPERTIES);
        else give_up(r);
        return;
    case RUN_PROPERTIES:
        if (is(r, name, "t") || is(r, name, "c") || is(r, name, "row"))
            give_up(r);
        else push(r, RUN_PROPERTIES);
        return;
    default:                                        /* inside f, v or t: Python reads less */
        give_up(r);
        return;
    }
}

static void on_end(void *data, const XML_Char *name) {
    Reader *r = data;
    (void)name;
    if (r->give_up || r->failed || r->stopped) return;
    if (r->skip_depth > 0) { r->skip_depth--; return; }
    if (r->depth == 0) return;
    enum Place here = r->stack[--r->depth];
    if (here == CELL) end_cell(r);
    else if (here == ROW) end_row(r);
    else if (here == INLINE_TEXT && r->is.length > r->t_start)  /* each <t> on its own */
        r->is.length = r->t_start + unescape(r->is.data + r->t_start, r->is.length - r->t_start);
}

static void on_text(void *data, const XML_Char *s, int len) {
    Reader *r = data;
    if (r->give_up || r->failed || r->stopped || r->skip_depth > 0 || r->depth == 0) return;
    Text *t;
    switch (r->stack[r->depth - 1]) {
    case FORMULA: t = &r->f; break;
    case VALUE: t = &r->v; break;
    case INLINE_TEXT: t = &r->is; break;
    default: return;
    }
    if (text_add(t, s, len) < 0) { PyErr_NoMemory(); r->failed = 1; }
}

/* Feed all of ``view`` to ``parser`` in chunks, stopping early once ``*give_up`` or ``*failed``
 * is set (Ctrl-C sets ``*failed``, with the exception); whether it was well-formed so far. */
static int parse_all(XML_Parser parser, const Py_buffer *view, const int *give_up, int *failed) {
    const char *bytes = view->buf;
    Py_ssize_t at = 0;
    int well_formed = 1;
    while (at < view->len && well_formed && !*give_up && !*failed) {
        int piece = (int)(view->len - at < CHUNK ? view->len - at : CHUNK);
        well_formed = expat->Parse(parser, bytes + at, piece, 0) != 0;
        at += piece;
        if (PyErr_CheckSignals() < 0) *failed = 1;     /* Ctrl-C on a big master */
    }
    if (well_formed && !*give_up && !*failed)
        well_formed = expat->Parse(parser, "", 0, 1) != 0;
    return well_formed;
}

/* Give the events of ``view`` to the handlers: read by _xmlscan.c when it reads the part (the
 * usual case, several times faster), else by expat; stops early as parse_all does. Whether it
 * was well-formed so far; ``*failed`` set, with an exception, when it could not be read. */
static int parse(const Py_buffer *view, const ScanHandlers *handlers, int *failed) {
    enum ScanResult scanned = xml_scan(view->buf, view->len, NULL);
    if (scanned == SCAN_OK) {
        scanned = xml_scan(view->buf, view->len, handlers);
        if (scanned == SCAN_UNSUPPORTED)        /* cannot be: the handlers have seen events */
            PyErr_SetString(PyExc_RuntimeError, "_xmlscan refused a part it had read");
        if (scanned != SCAN_OK) *failed = 1;
        return scanned == SCAN_OK;
    }
    if (scanned == SCAN_FAILED) { *failed = 1; return 0; }
    XML_Parser parser = expat->ParserCreate_MM(NULL, NULL, "}");
    if (parser == NULL) { PyErr_NoMemory(); *failed = 1; return 0; }
    expat->SetUserData(parser, handlers->data);
    expat->SetElementHandler(parser, handlers->start, handlers->end);
    if (handlers->text != NULL) expat->SetCharacterDataHandler(parser, handlers->text);
    int well_formed = parse_all(parser, view, handlers->stop, failed);
    expat->ParserFree(parser);
    return well_formed;
}

/* What a sheet's read gives: its rows, or its cells and hidden rows. */
static PyObject *read_found(void *data) {
    Reader *r = data;
    return r->rows_mode ? Py_NewRef(r->rows) : PyTuple_Pack(2, r->cells, r->hidden);
}

/* Parse ``data`` with ``handlers`` (see parse) and give what ``found`` makes of their state:
 * None when the part is not well-formed or a handler gave up (the Python reader then reads it),
 * NULL with an exception when it could not be read. */
static PyObject *read_through(PyObject *data, const ScanHandlers *handlers, int *failed,
                              PyObject *(*found)(void *)) {
    Py_buffer view;
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0) return NULL;
    int well_formed = parse(&view, handlers, failed);
    PyBuffer_Release(&view);
    if (*failed) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "_fastsheet failed");
        return NULL;
    }
    if (!well_formed || *handlers->stop) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    return found(handlers->data);
}

static PyObject *read_part(PyObject *data, long max_row, long max_col, int rows_mode,
                           PyObject *strings_fn, PyObject *cell_type, int bare,
                           PyObject *unsaved) {
    if (!PyType_Check(cell_type) || !PyType_IsSubtype((PyTypeObject *)cell_type, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "cell_type must be a tuple type");
        return NULL;
    }
    Reader r;
    memset(&r, 0, sizeof r);
    r.max_row = max_row;
    r.max_col = max_col;
    r.rows_mode = rows_mode;
    r.bare = bare;
    r.strings_fn = strings_fn;
    r.cell_type = (PyTypeObject *)cell_type;
    r.unsaved = unsaved;
    PyObject *result = NULL;
    if (rows_mode) r.rows = PyList_New(0);
    else { r.cells = PyDict_New(); r.hidden = PySet_New(NULL); }
    if (rows_mode ? r.rows != NULL : (r.cells != NULL && r.hidden != NULL)) {
        ScanHandlers handlers = {on_start, on_end, on_text, &r, &r.give_up, &r.failed};
        /* Every byte is parsed, past the rows read too, so that the part is well-formed
         * exactly when ElementTree finds it so (the caller passes what it would parse). */
        result = read_through(data, &handlers, &r.failed, read_found);
    }
    Py_XDECREF(r.cells);
    Py_XDECREF(r.hidden);
    Py_XDECREF(r.rows);
    Py_XDECREF(r.values);
    Py_XDECREF(r.strings);
    PyMem_Free(r.f.data);
    PyMem_Free(r.v.data);
    PyMem_Free(r.is.data);
    return result;
}

static PyObject *read_with(PyObject *args, int rows_mode) {
    PyObject *data, *strings_fn, *cell_type;
    long max_row, max_col;
    PyObject *unsaved = Py_None;
    int bare = 0;
    if (!PyArg_ParseTuple(args, "OllOO|pO", &data, &max_row, &max_col, &strings_fn, &cell_type,
                          &bare, &unsaved))
        return NULL;
    return read_part(data, max_row, max_col, rows_mode, strings_fn, cell_type, bare, unsaved);
}

static PyObject *cells(PyObject *self, PyObject *args) { (void)self; return read_with(args, 0); }

static PyObject *rows(PyObject *self, PyObject *args) { (void)self; return read_with(args, 1); }

/* -- workbook.xml: its root, sheets and defined names ------------------------------------ */

#define RELATIONSHIP_ID "http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

typedef struct {
    PyObject *root;             /* the first element's name: namespace}local, or local */
    PyObject *sheets;           /* [(name, state, id)], None for an attribute not there */
    PyObject *names;            /* [(name, localSheetId, text)] */
    PyObject *name, *local;     /* the attributes of the definedName open */
    int depth;                  /* elements open */
    int name_depth;             /* the depth of the definedName open, 0 when none is */
    int give_up, failed;
    Text text;
} Book;

static PyObject *attribute_value(const XML_Char **atts, const char *name) {
    const char *value = attribute(atts, name);
    if (value == NULL) Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(value, (Py_ssize_t)strlen(value), "strict");
}

static void book_sheet(Book *b, const XML_Char **atts) {
    PyObject *name = attribute_value(atts, "name");
    PyObject *state = attribute_value(atts, "state");
    PyObject *id = attribute_value(atts, RELATIONSHIP_ID);
    PyObject *sheet = (name && state && id) ? PyTuple_Pack(3, name, state, id) : NULL;
    if (sheet == NULL || PyList_Append(b->sheets, sheet) < 0) b->failed = 1;
    Py_XDECREF(sheet);
    Py_XDECREF(name);
    Py_XDECREF(state);
    Py_XDECREF(id);
}

static void book_start(void *data, const XML_Char *name, const XML_Char **atts) {
    Book *b = data;
    if (b->give_up || b->failed) return;
    b->depth++;
    if (b->root == NULL) {
        b->root = PyUnicode_DecodeUTF8(name, (Py_ssize_t)strlen(name), "strict");
        if (b->root == NULL) { b->failed = 1; return; }
    }
    if (b->name_depth) { b->give_up = 1; return; }   /* an element in a name: Python reads it */
    if (is_main(name, "sheet")) {
        book_sheet(b, atts);
    } else if (is_main(name, "definedName")) {
        b->name = attribute_value(atts, "name");
        b->local = attribute_value(atts, "localSheetId");
        if (b->name == NULL || b->local == NULL) { b->failed = 1; return; }
        b->name_depth = b->depth;
        text_clear(&b->text);
    }
}

static void book_end(void *data, const XML_Char *name) {
    Book *b = data;
    (void)name;
    if (b->give_up || b->failed) return;
    if (b->name_depth == b->depth) {
        PyObject *text = PyUnicode_DecodeUTF8(b->text.data, b->text.length, "strict");
        PyObject *entry = text ? PyTuple_Pack(3, b->name, b->local, text) : NULL;
        if (entry == NULL || PyList_Append(b->names, entry) < 0) b->failed = 1;
        Py_XDECREF(entry);
        Py_XDECREF(text);
        Py_CLEAR(b->name);
        Py_CLEAR(b->local);
        b->name_depth = 0;
    }
    b->depth--;
}

static void book_text(void *data, const XML_Char *s, int len) {
    Book *b = data;
    if (b->give_up || b->failed || !b->name_depth) return;
    if (text_add(&b->text, s, len) < 0) { PyErr_NoMemory(); b->failed = 1; }
}

/* What workbook.xml's read gives; None when it has no root element. */
static PyObject *book_found(void *data) {
    Book *b = data;
    if (b->root == NULL) Py_RETURN_NONE;
    return PyTuple_Pack(3, b->root, b->sheets, b->names);
}

static PyObject *workbook(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *data;
    if (!PyArg_ParseTuple(args, "O", &data)) return NULL;
    Book b;
    memset(&b, 0, sizeof b);
    PyObject *result = NULL;
    b.sheets = PyList_New(0);
    b.names = PyList_New(0);
    if (b.sheets != NULL && b.names != NULL) {
        ScanHandlers handlers = {book_start, book_end, book_text, &b, &b.give_up, &b.failed};
        result = read_through(data, &handlers, &b.failed, book_found);
    }
    Py_XDECREF(b.root);
    Py_XDECREF(b.sheets);
    Py_XDECREF(b.names);
    Py_XDECREF(b.name);
    Py_XDECREF(b.local);
    PyMem_Free(b.text.data);
    return result;
}

/* -- sharedStrings.xml: the texts of its items --------------------------------------------- */

typedef struct {
    PyObject *strings;          /* the texts, in order */
    int depth;                  /* elements open */
    int item_depth;             /* the depth of the <si> open, 0 when none is */
    int run_depth;              /* the depth of the <r> open in it, 0 when none is */
    int text_open;              /* a <t> whose text is kept is open */
    int give_up, failed;
    Text text;                  /* the item's text so far */
    Py_ssize_t t_start;         /* where the open <t>'s text starts in text */
} Table;

static void table_start(void *data, const XML_Char *name, const XML_Char **atts) {
    Table *t = data;
    (void)atts;
    if (t->give_up || t->failed) return;
    t->depth++;
    if (t->text_open) { t->give_up = 1; return; }        /* an element in a text */
    if (is_main(name, "si")) {
        if (t->depth != 2 || t->item_depth) { t->give_up = 1; return; }  /* not an item */
        t->item_depth = t->depth;
        text_clear(&t->text);
    } else if (t->item_depth && is_main(name, "t")
               && (t->depth == t->item_depth + 1 || t->run_depth)) {
        t->text_open = 1;
        t->t_start = t->text.length;
    } else if (t->item_depth && t->depth == t->item_depth + 1 && is_main(name, "r")) {
        t->run_depth = t->depth;
    }
}

static void table_end(void *data, const XML_Char *name) {
    Table *t = data;
    (void)name;
    if (t->give_up || t->failed) return;
    if (t->text_open) {                 /* each <t> unescaped on its own, as _text_of does */
        t->text_open = 0;
        t->text.length = t->t_start + unescape(t->text.data + t->t_start,
                                               t->text.length - t->t_start);
    } else if (t->run_depth == t->depth) {
        t->run_depth = 0;
    } else if (t->item_depth == t->depth) {
        PyObject *text = PyUnicode_DecodeUTF8(t->text.data, t->text.length, "strict");
        if (text == NULL || PyList_Append(t->strings, text) < 0) t->failed = 1;
        Py_XDECREF(text);
        t->item_depth = 0;
    }
    t->depth--;
}

static void table_text(void *data, const XML_Char *s, int len) {
    Table *t = data;
    if (t->give_up || t->failed || !t->text_open) return;
    if (text_add(&t->text, s, len) < 0) { PyErr_NoMemory(); t->failed = 1; }
}

static PyObject *table_found(void *data) { return Py_NewRef(((Table *)data)->strings); }

static PyObject *strings(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *data;
    if (!PyArg_ParseTuple(args, "O", &data)) return NULL;
    Table t;
    memset(&t, 0, sizeof t);
    PyObject *result = NULL;
    t.strings = PyList_New(0);
    if (t.strings != NULL) {
        ScanHandlers handlers = {table_start, table_end, table_text, &t, &t.give_up, &t.failed};
        result = read_through(data, &handlers, &t.failed, table_found);
    }
    Py_XDECREF(t.strings);
    PyMem_Free(t.text.data);
    return result;
}

/* -- small package parts: some attributes of some elements ----------------------------------- */

#define MAX_PICKED 8

typedef struct {
    const char *names[MAX_PICKED];        /* the elements wanted: namespace}local, or local */
    const char *attributes[MAX_PICKED];   /* the attributes wanted of each */
    Py_ssize_t name_count, attribute_count;
    PyObject *found;                      /* [(index of the name, (value or None, ...))] */
    int give_up, failed;
} Picker;

static void pick_start(void *data, const XML_Char *name, const XML_Char **atts) {
    Picker *p = data;
    if (p->failed) return;
    for (Py_ssize_t i = 0; i < p->name_count; i++) {
        if (strcmp(p->names[i], name) != 0) continue;
        PyObject *values = PyTuple_New(p->attribute_count);
        if (values == NULL) { p->failed = 1; return; }
        for (Py_ssize_t a = 0; a < p->attribute_count; a++) {
            PyObject *value = attribute_value(atts, p->attributes[a]);
            if (value == NULL) { Py_DECREF(values); p->failed = 1; return; }
            PyTuple_SET_ITEM(values, a, value);
        }
        PyObject *entry = Py_BuildValue("(nN)", i, values);
        if (entry == NULL || PyList_Append(p->found, entry) < 0) p->failed = 1;
        Py_XDECREF(entry);
        return;
    }
}

/* The UTF-8 texts of a tuple of at most MAX_PICKED str; -1 with an exception when it is not. */
static Py_ssize_t texts_of(PyObject *tuple, const char **texts) {
    if (!PyTuple_Check(tuple) || PyTuple_GET_SIZE(tuple) > MAX_PICKED) {
        PyErr_SetString(PyExc_TypeError, "a tuple of at most 8 str expected");
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(tuple); i++) {
        PyObject *item = PyTuple_GET_ITEM(tuple, i);
        texts[i] = PyUnicode_Check(item) ? PyUnicode_AsUTF8(item) : NULL;
        if (texts[i] == NULL) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "str expected");
            return -1;
        }
    }
    return PyTuple_GET_SIZE(tuple);
}

static PyObject *picker_found(void *data) { return Py_NewRef(((Picker *)data)->found); }

static PyObject *elements(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *data, *names, *attributes;
    if (!PyArg_ParseTuple(args, "OOO", &data, &names, &attributes)) return NULL;
    Picker p;
    memset(&p, 0, sizeof p);
    p.name_count = texts_of(names, p.names);
    if (p.name_count < 0) return NULL;
    p.attribute_count = texts_of(attributes, p.attributes);
    if (p.attribute_count < 0) return NULL;
    PyObject *result = NULL;
    p.found = PyList_New(0);
    if (p.found != NULL) {
        ScanHandlers handlers = {pick_start, NULL, NULL, &p, &p.give_up, &p.failed};
        result = read_through(data, &handlers, &p.failed, picker_found);
    }
    Py_XDECREF(p.found);
    return result;
}

/* -- for the tests: what the scanner reads, and the events either parser gives ------------- */

typedef struct {
    PyObject *events;       /* [("start", name, ((name, value), ...)) | ("end", name) | ("text", text)] */
    Text text;              /* character data not given yet */
    int give_up, failed;
} Recorder;

static int record(Recorder *r, PyObject *event) {
    if (event == NULL || PyList_Append(r->events, event) < 0) { r->failed = 1; Py_XDECREF(event); return -1; }
    Py_DECREF(event);
    return 0;
}

static int record_text(Recorder *r) {
    if (!r->text.seen) return 0;
    PyObject *text = PyUnicode_DecodeUTF8(r->text.data, r->text.length, "strict");
    text_clear(&r->text);
    return text == NULL ? (r->failed = 1, -1) : record(r, Py_BuildValue("(sN)", "text", text));
}

static void record_start(void *data, const XML_Char *name, const XML_Char **atts) {
    Recorder *r = data;
    if (r->failed || record_text(r) < 0) return;
    PyObject *pairs = PyList_New(0);
    for (int i = 0; pairs != NULL && atts[i] != NULL; i += 2) {
        PyObject *pair = Py_BuildValue("(ss)", atts[i], atts[i + 1]);
        if (pair == NULL || PyList_Append(pairs, pair) < 0) Py_CLEAR(pairs);
        Py_XDECREF(pair);
    }
    if (pairs == NULL) { r->failed = 1; return; }
    record(r, Py_BuildValue("(ssN)", "start", name, PyList_AsTuple(pairs)));
    Py_DECREF(pairs);
}

static void record_end(void *data, const XML_Char *name) {
    Recorder *r = data;
    if (r->failed || record_text(r) < 0) return;
    record(r, Py_BuildValue("(ss)", "end", name));
}

static void record_characters(void *data, const XML_Char *s, int len) {
    Recorder *r = data;
    if (!r->failed && text_add(&r->text, s, len) < 0) { PyErr_NoMemory(); r->failed = 1; }
    r->text.seen = 1;
}

static PyObject *events(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *data;
    int scanner;
    if (!PyArg_ParseTuple(args, "Op", &data, &scanner)) return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0) return NULL;
    Recorder r;
    memset(&r, 0, sizeof r);
    PyObject *result = NULL;
    r.events = PyList_New(0);
    ScanHandlers handlers = {record_start, record_end, record_characters, &r, &r.give_up,
                             &r.failed};
    int well_formed = 0;
    if (r.events != NULL && scanner) {
        enum ScanResult scanned = xml_scan(view.buf, view.len, NULL);
        if (scanned == SCAN_OK) scanned = xml_scan(view.buf, view.len, &handlers);
        if (scanned == SCAN_FAILED) r.failed = 1;
        well_formed = scanned == SCAN_OK;
    } else if (r.events != NULL) {
        XML_Parser parser = expat->ParserCreate_MM(NULL, NULL, "}");
        if (parser == NULL) { PyErr_NoMemory(); r.failed = 1; }
        else {
            expat->SetUserData(parser, &r);
            expat->SetElementHandler(parser, record_start, record_end);
            expat->SetCharacterDataHandler(parser, record_characters);
            well_formed = parse_all(parser, &view, &r.give_up, &r.failed);
            expat->ParserFree(parser);
        }
    }
    if (r.events != NULL && !r.failed && well_formed) record_text(&r);
    if (r.events == NULL || r.failed) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "_fastsheet failed");
    } else {
        result = well_formed ? r.events : Py_None;
        Py_INCREF(result);
    }
    PyBuffer_Release(&view);
    Py_XDECREF(r.events);
    PyMem_Free(r.text.data);
    return result;
}

static PyObject *scanned(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer view;
    if (!PyArg_ParseTuple(args, "y*", &view)) return NULL;
    enum ScanResult result = xml_scan(view.buf, view.len, NULL);
    PyBuffer_Release(&view);
    if (result == SCAN_FAILED) return NULL;
    return PyBool_FromLong(result == SCAN_OK);
}

static PyMethodDef methods[] = {
    {"cells", cells, METH_VARARGS,
     "cells(data, max_row, max_col, strings, Cell, bare=False) -> (cells, hidden_rows) or None\n\n"
     "What XlsxReader.read_sheet reads from a sheet part; None when the part is not of the\n"
     "shape handled here (read it in Python then). strings is called for the shared strings;\n"
     "bare: elements in no namespace are read as the main namespace's."},
    {"rows", rows, METH_VARARGS,
     "rows(data, max_row, max_col, strings, Cell, bare=False) -> [(number, values), ...] or None\n\n"
     "The non-empty rows in order, as reader._numbered_rows gives them; None as cells."},
    {"workbook", workbook, METH_VARARGS,
     "workbook(data) -> (root, [(name, state, id)], [(name, localSheetId, text)]) or None\n\n"
     "A workbook.xml's root element name (namespace}local), its sheet elements and its\n"
     "defined names (None for an attribute not there); None when it is not well-formed or a\n"
     "defined name holds an element (read it in Python then)."},
    {"strings", strings, METH_VARARGS,
     "strings(data) -> [text, ...] or None\n\n"
     "The texts of a sharedStrings.xml's items, as XlsxReader.shared_strings gives them;\n"
     "None when it is not well-formed or not of the shape handled here (an item not a\n"
     "child of the root or inside another, an element inside a text)."},
    {"elements", elements, METH_VARARGS,
     "elements(data, names, attributes) -> [(index, (value, ...)), ...] or None\n\n"
     "For each element of an XML part named one of names (namespace}local, or local), in\n"
     "document order: the index of its name and the values of the attributes asked for (None\n"
     "for one not there); None when the part is not well-formed (read it in Python then)."},
    {"events", events, METH_VARARGS,
     "events(data, scanner) -> [event, ...] or None\n\n"
     "For the tests: the events of an XML part, read by the scanner (scanner=True: None when it\n"
     "does not read the part) or by expat (None when it is not well-formed): (\"start\", name,\n"
     "((name, value), ...)), (\"end\", name), (\"text\", text), character data joined."},
    {"scanned", scanned, METH_VARARGS,
     "scanned(data) -> bool\n\nFor the tests: whether the scanner reads the part (else expat)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_fastsheet",
    "The cells of a worksheet part, the names of a workbook part and the attributes of small\n"
    "package parts, read in C (an optional accelerator of workbook_engine.xlsx.reader).",
    -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__fastsheet(void) {
    expat = PyCapsule_Import("pyexpat.expat_CAPI", 0);
    if (expat == NULL) return NULL;
    if (strcmp(expat->magic, "pyexpat.expat_CAPI 1.1") != 0
        || expat->size < (int)sizeof(struct PyExpat_CAPI)) {
        PyErr_SetString(PyExc_ImportError, "pyexpat's C API is not the one expected");
        return NULL;
    }
    KIND_N = PyUnicode_InternFromString("n");
    KIND_S = PyUnicode_InternFromString("s");
    KIND_B = PyUnicode_InternFromString("b");
    KIND_E = PyUnicode_InternFromString("e");
    KIND_D = PyUnicode_InternFromString("d");
    STRIP = PyUnicode_InternFromString("strip");
    if (!KIND_N || !KIND_S || !KIND_B || !KIND_E || !KIND_D || !STRIP) return NULL;
    return PyModule_Create(&module);
}
