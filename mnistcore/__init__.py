"""mnistcore: every computation behind the MNIST explainer; it never imports streamlit."""
