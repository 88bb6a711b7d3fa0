"""Drawing and words: charts with their sentences, the style sheet, plain text, fragments."""
