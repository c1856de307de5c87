"""Models of 准入 · 线索."""
