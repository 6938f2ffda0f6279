class Login {
  void done(HttpServletRequest request, HttpServletResponse response) throws Exception {
    // ruleid: java-open-redirect
    response.sendRedirect(request.getParameter("next"));
    // ok: java-open-redirect
    response.sendRedirect("/home");
  }

  @GetMapping("/go")
  String go(@RequestParam String target) {
    // ruleid: java-open-redirect
    return "redirect:" + target;
  }
}
