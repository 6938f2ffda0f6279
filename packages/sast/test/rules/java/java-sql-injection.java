class Dao {
  void find(HttpServletRequest request, Connection conn) throws Exception {
    String id = request.getParameter("id");
    Statement stmt = conn.createStatement();
    // ruleid: java-sql-injection
    stmt.executeQuery("SELECT * FROM users WHERE id = '" + id + "'");
    // ok: java-sql-injection
    PreparedStatement ps = conn.prepareStatement("SELECT * FROM users WHERE id = ?");
    // ok: java-sql-injection
    stmt.executeQuery("SELECT count(*) FROM users");
    // ruleid: java-sql-injection
    jdbcTemplate.update("DELETE FROM sessions WHERE user_id = " + id);
    java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
    // ok: java-sql-injection
    md.update(request.getParameter("token").getBytes());
  }

  List<User> byName(EntityManager em, String name) {
    // ruleid: java-sql-injection
    return em.createQuery("FROM User u WHERE u.name = '" + name + "'").getResultList();
  }
}
