"""Analytics: KPIs against targets, the funnel, deal metrics and revenue leaks (screens)."""
