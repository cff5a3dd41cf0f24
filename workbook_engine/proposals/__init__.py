"""The negotiation round before the year: proposal workbooks for the offices' group-2 KPIs,
and collecting the returned proposals into a draft master and a negotiation record."""
