@app.route("/calc")
def calc():
    expr = request.args.get("expr")
    # ruleid: py-eval-injection
    result = eval(expr)
    # ok: py-eval-injection
    total = eval("1 + 2")
    # ok: py-eval-injection
    value = ast.literal_eval(expr)
    return str(result + total + value)
