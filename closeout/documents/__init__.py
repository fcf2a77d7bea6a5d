"""The documents offices exchange: the Excel ledger (台账) and the Word documents
(督办函, 调度通报, 整改进展情况公示, 销号公示), written and read here.

This package is pure Python like the plan parser: it knows files, not the database. It
takes plain rows and figures gathered by the ledger's selectors and turns them into
.xlsx and .docx files (and PDF through LibreOffice when it is installed), and reads the
workbooks units send back into plain rows with their sheet, row and column.
"""
