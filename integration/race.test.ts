import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { useSeededFunction } from './support/fixture';

/** Writes never overwrite: racing creates of one id have exactly one winner. */
const fixture = useSeededFunction('race');
const { tableName, client } = fixture;

it('answers 50 concurrent POSTs of one id with exactly one 201 and 49 × 409, and keeps the winner’s body', async () => {
  const id = 777_001;
  const bodies = Array.from({ length: 50 }, (_, racer) => ({
    id,
    type: 'dog',
    breed: `Racer ${racer}`,
    price: racer + 0.5,
  }));

  const answers = await Promise.all(bodies.map((body) => fixture.fn.invoke('POST', '/pets', { body })));

  const statuses = answers.map((answer) => answer.status);
  expect(statuses.filter((status) => status === 201)).toHaveLength(1);
  expect(statuses.filter((status) => status === 409)).toHaveLength(49);
  const winner = bodies[statuses.indexOf(201)];
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName, Key: { id: { N: String(id) } }, ConsistentRead: true }),
  );
  expect(Item && unmarshall(Item)).toEqual(winner);
});
