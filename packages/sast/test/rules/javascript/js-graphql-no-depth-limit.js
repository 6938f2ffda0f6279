// ruleid: js-graphql-no-depth-limit
const server = new ApolloServer({ typeDefs, resolvers });
// ok: js-graphql-no-depth-limit
const limited = new ApolloServer({ typeDefs, resolvers, validationRules: [depthLimit(10)] });
// ruleid: js-graphql-no-depth-limit
app.use('/graphql', graphqlHTTP({ schema, graphiql: false }));
