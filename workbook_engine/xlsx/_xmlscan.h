/* _xmlscan.h: what _fastsheet.c and _xmlscan.c share (see _xmlscan.c). */
#ifndef WORKBOOK_ENGINE_XMLSCAN_H
#define WORKBOOK_ENGINE_XMLSCAN_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* expat's handler types, as pyexpat's C API gives them (names "namespace}local", or "local"
 * for a name in no namespace; attributes as NULL-ended name, value pairs). */
typedef char XML_Char;
typedef void (*XML_StartElementHandler)(void *, const XML_Char *, const XML_Char **);
typedef void (*XML_EndElementHandler)(void *, const XML_Char *);
typedef void (*XML_CharacterDataHandler)(void *, const XML_Char *, int);

typedef struct {
    XML_StartElementHandler start;        /* each may be NULL */
    XML_EndElementHandler end;
    XML_CharacterDataHandler text;
    void *data;
    const int *stop, *stop_too;           /* scanning ends once either is set */
} ScanHandlers;

enum ScanResult {
    SCAN_OK,            /* well-formed, every event given (or scanning stopped when asked) */
    SCAN_UNSUPPORTED,   /* something the scanner does not read: parse it with expat */
    SCAN_FAILED,        /* an exception is set (no memory, Ctrl-C) */
};

/* Shared by the extension's own files only, not exported from it. */
#if defined(__GNUC__)
#define XMLSCAN_INTERNAL __attribute__((visibility("hidden")))
#else
#define XMLSCAN_INTERNAL
#endif

/* The value of a hexadecimal digit, else -1. */
XMLSCAN_INTERNAL int xml_hex_digit(char c);

/* Write code point ``code`` as UTF-8 at ``out``; how many bytes that took. */
XMLSCAN_INTERNAL Py_ssize_t xml_put_utf8(char *out, long code);

/* Scan ``data``: with ``handlers`` NULL, only whether it is read here (SCAN_OK) or not; with
 * handlers, giving them its events, once it said SCAN_OK without (it then skips checking the
 * characters, which that did). */
XMLSCAN_INTERNAL enum ScanResult xml_scan(const char *data, Py_ssize_t length,
                                          const ScanHandlers *handlers);

#endif
