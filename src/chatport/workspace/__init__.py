"""The workspace store: rooms, subscriptions, messages and uploads, in Rocket.Chat's shapes.

``rooms``, ``subscriptions``, ``messages`` (with the bulk writer) and ``uploads`` write and
look up rows; ``documents`` normalises and renders documents; ``read`` holds the paginated
queries, ``access`` the rule of who may read a room, and ``service`` the read API's use cases.
"""
