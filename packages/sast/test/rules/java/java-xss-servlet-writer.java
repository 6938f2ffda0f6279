class Hello extends HttpServlet {
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String name = request.getParameter("name");
    // ruleid: java-xss-servlet-writer
    response.getWriter().println("<h1>Hello " + name + "</h1>");
    // ok: java-xss-servlet-writer
    response.getWriter().println("<h1>Hello " + Encode.escapeHtml4(name) + "</h1>");
    // ok: java-xss-servlet-writer
    response.getWriter().println("<h1>Hello</h1>");
    // ok: java-xss-servlet-writer
    response.getWriter().println("<p>" + org.owasp.esapi.ESAPI.encoder().encodeForHTML(name) + "</p>");
    Object[] args = { "a", "b" };
    // ruleid: java-xss-servlet-writer
    response.getWriter().format(java.util.Locale.US, name, args);
    // ruleid: java-xss-servlet-writer
    response.getWriter().printf(name, args);
    // ok: java-xss-servlet-writer
    response.getWriter().printf(Locale.US, StringEscapeUtils.escapeHtml4(name), args);
    // ok: java-xss-servlet-writer
    response.getWriter().printf(Locale.US, "<p>%s</p>", args);
    // ok: java-xss-servlet-writer
    System.out.println("Hello request from " + name);
  }
}
