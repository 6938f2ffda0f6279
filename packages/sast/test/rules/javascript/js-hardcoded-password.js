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
// ruleid: js-hardcoded-password
AWS.config.update({ region: 'eu-west-1', secretAccessKey: 'wJalrXUtnFEMI/K7MDENGbPxRfiCY' });
// ok: js-hardcoded-password
AWS.config.update({ region: 'eu-west-1', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY });
// ruleid: js-hardcoded-password
https.request({ host, auth: 'deploy:9fK2mQ7xLw' });
// ok: js-hardcoded-password
https.request({ host, auth: `deploy:${process.env.DEPLOY_TOKEN}` });
// ruleid: js-hardcoded-password
superagent.get(url).auth('deploy', '9fK2mQ7xLw');
// ok: js-hardcoded-password
superagent.get(url).auth('deploy', process.env.DEPLOY_TOKEN);
