"""Pure PyTorch / NumPy / PIL code behind the pages. Never imports streamlit."""
