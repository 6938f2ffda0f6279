class Db {
  // ruleid: java-hardcoded-password
  private static final String PASSWORD = "Pr0dPassw0rd!";
  // ok: java-hardcoded-password
  private static final String USER = "application-user";

  Connection open() throws Exception {
    // ruleid: java-hardcoded-password
    return DriverManager.getConnection(URL, "app", "hunter2-prod");
  }

  Connection open2() throws Exception {
    // ok: java-hardcoded-password
    return DriverManager.getConnection(URL, "app", System.getenv("DB_PASSWORD"));
  }
}
