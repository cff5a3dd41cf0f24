"""The workbooks sent to offices: the office workbook, its layout and hidden meta sheet, and
the generate command that writes one per office."""
