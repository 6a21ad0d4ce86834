"""Convenings: the Global Forum and smaller meetings, agendas, registrations and calendars."""
