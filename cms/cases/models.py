"""Models of 准入 · 案例."""
