"""The company's shared services: menus (ivr), queues and their FreeSWITCH callcenter
(queues, callcenter_sync), conference rooms, hold music (moh) and uploaded sounds (audio)."""
