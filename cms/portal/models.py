"""Models of 准入 · 公众门户."""
