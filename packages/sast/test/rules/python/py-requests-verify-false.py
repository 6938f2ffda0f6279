import requests

# ruleid: py-requests-verify-false
r = requests.get("https://internal.example.com", verify=False)
# ruleid: py-requests-verify-false
requests.post(url, data=payload, timeout=5, verify=False)
# ok: py-requests-verify-false
r2 = requests.get("https://internal.example.com", verify="/etc/ssl/ca.pem")
