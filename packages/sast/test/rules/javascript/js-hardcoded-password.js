// ruleid: js-hardcoded-password
const password = 'Sup3rS3cr3t!';
const config = {
  // ruleid: js-hardcoded-password
  db_password: "hunter2-prod-2024",
  // ok: js-hardcoded-password
  password: process.env.DB_PASSWORD,
  // ok: js-hardcoded-password
  apiKey: 'changeme',
};
// ruleid: js-hardcoded-password
settings.apiKey = 'AKfj29fjs9d8fjs';
// ok: js-hardcoded-password
const passwordLabel = 'Enter your password';
