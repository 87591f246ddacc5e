"""What the fund reports (第六、十九、二十一条): the monthly analysis and statistics, submitted months,
workbooks and exports, the PDF documents, the audit pack, text made safe for them."""
