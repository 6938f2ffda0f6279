import requests

# ruleid: py-requests-verify-false
r = requests.get("https://internal.example.com", verify=False)
# ruleid: py-requests-verify-false
requests.post(url, data=payload, timeout=5, verify=False)
# ruleid: py-requests-verify-false
requests.post(url, verify=0)
fetch = requests.get
# ruleid: py-requests-verify-false
fetch(url, verify=False)
# ok: py-requests-verify-false
fetch(url, verify=True)
# ok: py-requests-verify-false
r2 = requests.get("https://internal.example.com", verify="/etc/ssl/ca.pem")
