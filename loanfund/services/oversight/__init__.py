"""The fund watching its money (第二十至二十三条): the daily sweep, early warnings and their thresholds,
notices and mail, the blacklist, bank liability, recovery files."""
