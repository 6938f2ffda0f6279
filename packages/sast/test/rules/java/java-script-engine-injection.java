class Calc {
  Object calc(HttpServletRequest request) throws Exception {
    ScriptEngine engine = new ScriptEngineManager().getEngineByName("js");
    // ruleid: java-script-engine-injection
    Object r = engine.eval(request.getParameter("expr"));
    // ok: java-script-engine-injection
    Object s = engine.eval("1 + 1");
    return r;
  }
}
