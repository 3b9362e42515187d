"""The cluster deployment (README "Scaling out"): the FreeSWITCH nodes behind the SIP edge, which the
product lists (table switch_node) and Kamailio's dispatcher reads (view switch_dispatch)."""
