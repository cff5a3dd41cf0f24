"""The committee's verification: the review workbook it fills, and applying its entries to a
harvest (CONTRACT section 7)."""
