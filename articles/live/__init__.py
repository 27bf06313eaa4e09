"""Live coverage (a live blog): an article marked live lists timestamped posts.

``models`` holds ``LivePost``; ``services`` the writes (start and end coverage,
key points, posts), with the roles of ``articles.permissions``; ``pages`` what
readers get (the posts section, its JSON for the polling script, the
``LiveBlogPosting`` JSON-LD); ``views`` the JSON endpoint. The admin page is
``articles.admin.live``.
"""
