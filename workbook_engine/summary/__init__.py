"""The summary workbook written from a harvest, for auditors."""
