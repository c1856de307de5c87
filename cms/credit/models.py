"""Models of 准入 · 信用."""
