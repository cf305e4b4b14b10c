"""The budgets page: a monthly budget per category and overall, edited all at once."""
