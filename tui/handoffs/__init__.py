"""Handoffs: SDR to AE and AE to customer success, with their context and SLA (screens)."""
