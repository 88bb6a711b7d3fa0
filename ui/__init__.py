"""What the pages share, grouped by idea; never computation (that is mnistcore) and never a page (that is app_pages)."""
