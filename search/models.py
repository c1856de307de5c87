"""Models of 准入 · 全文检索."""
