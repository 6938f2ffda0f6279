// ruleid: js-graphql-introspection-enabled
const server = new ApolloServer({ typeDefs, resolvers, introspection: true });
// ruleid: js-graphql-introspection-enabled
app.use('/graphql', graphqlHTTP({ schema, graphiql: true }));
// ok: js-graphql-introspection-enabled
const s2 = new ApolloServer({ typeDefs, resolvers, introspection: process.env.NODE_ENV !== 'production' });
// ok: js-graphql-introspection-enabled
const other = { graphiql: true };
