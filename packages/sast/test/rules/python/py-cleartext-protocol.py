import ftplib
import telnetlib

# ruleid: py-cleartext-protocol
ftp = ftplib.FTP("ftp.example.com")
# ruleid: py-cleartext-protocol
tn = telnetlib.Telnet("router.local")
# ok: py-cleartext-protocol
ftps = ftplib.FTP_TLS("ftp.example.com")
