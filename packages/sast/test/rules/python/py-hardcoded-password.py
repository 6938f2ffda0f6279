# ruleid: py-hardcoded-password
password = "Sup3rS3cr3t!"
# ruleid: py-hardcoded-password
conn = psycopg2.connect(host="db", user="app", password="hunter2-prod")
# ok: py-hardcoded-password
password = os.environ["DB_PASSWORD"]
# ok: py-hardcoded-password
conn2 = psycopg2.connect(host="db", user="app", password=os.environ["PW"])
# ok: py-hardcoded-password
password_label = "Enter your password"
