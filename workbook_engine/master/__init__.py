"""The master workbook: its format (sheets, columns, vocabularies), its reader and checks, and
the empty master of a new year."""
