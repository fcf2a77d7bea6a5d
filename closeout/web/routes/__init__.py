"""The routes of each area of the pages, included by closeout.web.urls."""
