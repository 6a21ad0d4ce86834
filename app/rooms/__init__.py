"""Rooms: convening rooms, open thematic rooms, working groups and direct conversations."""
