"""The admin area: access points, hours, people, kiosks, regions, directory import and export."""
