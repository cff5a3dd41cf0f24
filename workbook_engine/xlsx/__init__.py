"""Reading and writing xlsx files: the defensive reader (with its C accelerator), the zip
rules it applies, the xlsxwriter toolkit and files written atomically."""
