"""Looking back: a day, its rows, trends, the HTML report, export."""
