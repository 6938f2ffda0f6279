class Hello extends HttpServlet {
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String name = request.getParameter("name");
    // ruleid: java-xss-servlet-writer
    response.getWriter().println("<h1>Hello " + name + "</h1>");
    // ok: java-xss-servlet-writer
    response.getWriter().println("<h1>Hello " + Encode.escapeHtml4(name) + "</h1>");
    // ok: java-xss-servlet-writer
    response.getWriter().println("<h1>Hello</h1>");
  }
}
